"""What the tests share: helpers, the AWS API translation and rules, fakes of upstream servers, and
the scripts tests run in a fresh process. Nothing here is collected as a test."""
