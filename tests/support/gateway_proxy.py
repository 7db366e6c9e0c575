"""The real LiteLLM proxy (the gateway image's version, from PyPI) with the plan's config, for tests.

Only network addresses change, as DNS would change them: SageMaker runtime's
`https://runtime.sagemaker.<region>.amazonaws.com` and Bedrock runtime's
`https://bedrock-runtime.<region>.amazonaws.com` go to the fake upstream on 127.0.0.1.
Signing, routing, request and stream handling are LiteLLM's own code.
Usage: gateway_proxy.py UPSTREAM_URL CONFIG PORT
"""

import re
import sys

from litellm.llms.bedrock.base_aws_llm import BaseAWSLLM
from litellm.llms.sagemaker.chat.transformation import SagemakerChatConfig

upstream, config, port = sys.argv[1], sys.argv[2], sys.argv[3]
_original = SagemakerChatConfig.get_complete_url


def _redirected(self, *args, **kwargs):
    url = _original(self, *args, **kwargs)
    return re.sub(r"^https://runtime\.sagemaker\.([a-z0-9-]+)\.amazonaws\.com", upstream + r"/\1", url)


SagemakerChatConfig.get_complete_url = _redirected
_default_endpoint = BaseAWSLLM._select_default_endpoint_url


def _bedrock_endpoint(self, endpoint_type, aws_region_name):
    url = _default_endpoint(self, endpoint_type, aws_region_name)
    return re.sub(r"^https://bedrock-runtime\.([a-z0-9-]+)\.amazonaws\.com", upstream + r"/bedrock/\1", url)


BaseAWSLLM._select_default_endpoint_url = _bedrock_endpoint

from litellm.proxy.proxy_cli import run_server  # noqa: E402  (after the address change)

run_server.main(
    args=["--config", config, "--port", port, "--host", "127.0.0.1", "--num_workers", "1"], standalone_mode=False
)
