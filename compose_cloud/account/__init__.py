"""The user's AWS account through boto3: preflight, a deployed stack's status and logs, and prices.
Nothing here imports Pulumi."""
