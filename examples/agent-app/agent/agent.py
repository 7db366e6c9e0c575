"""A stand-in agent: reads the variables compose-cloud injects and calls the chat model once."""

import json
import os
import urllib.request

base = os.environ["OPENAI_BASE_URL"]
request = urllib.request.Request(
    base + "chat/completions",
    data=json.dumps({"model": os.environ["CHAT_MODEL"], "messages": [{"role": "user", "content": "hello"}]}).encode(),
    headers={"Content-Type": "application/json"},
)
print(urllib.request.urlopen(request, timeout=600).read().decode())
