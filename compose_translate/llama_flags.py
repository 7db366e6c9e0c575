"""The llama-server flags a Compose file's `runtime_flags` may carry: an allow-list.

Only flags that change neither which model is served, nor where the server listens, nor how it
authenticates, nor what it reads or reaches besides the model (files, URLs, other servers) are
allowed; everything else is refused with the flag named. A block-list would be bypassed by other
spellings (`-hfr`, `--model-url`, `--DOCKER-REPO`, which AWS's SageMaker container turns into
SM_LLAMA_CPP_DOCKER_REPO). Spellings are case-exact, as llama.cpp parses them; the list follows
`common/arg.cpp` of llama.cpp (the options marked for the server, or for every tool).
"""

from __future__ import annotations

_PERFORMANCE = """
-t --threads -tb --threads-batch -c --ctx-size -n --predict --n-predict -b --batch-size -ub --ubatch-size
--keep --swa-full -ctxcp --ctx-checkpoints --swa-checkpoints -cms --checkpoint-min-step -cram --cache-ram
-kvu --kv-unified -no-kvu --no-kv-unified --kv-unified-per-slot --cache-idle-slots --context-shift
--no-context-shift -fa --flash-attn --perf --no-perf -sp --special --warmup --no-warmup --spm-infill
-np --parallel -cb --cont-batching -nocb --no-cont-batching -kvo --kv-offload -nkvo --no-kv-offload
--repack --no-repack --no-host -ctk --cache-type-k -ctv --cache-type-v -dt --defrag-thold --mlock --mmap
--no-mmap --numa -ngl --gpu-layers --n-gpu-layers -sm --split-mode -ts --tensor-split -mg --main-gpu
-fit --fit -fitt --fit-target -fitc --fit-ctx -cmoe --cpu-moe -ncmoe --n-cpu-moe -ncffn --n-cpu-ffn
--op-offload --no-op-offload --check-tensors -to --timeout --threads-http --cache-prompt --no-cache-prompt
--cache-reuse --metrics --slots --no-slots -sps --slot-prompt-similarity --sleep-idle-seconds
--sse-ping-interval --mtmd-batch-max-tokens --image-min-tokens --image-max-tokens
"""
_SAMPLING = """
--samplers -s --seed --sampler-seq --sampling-seq --ignore-eos --temp --temperature --top-k --top-p --min-p
--top-nsigma --top-n-sigma --xtc-probability --xtc-threshold --typical --typical-p --repeat-last-n
--repeat-penalty --presence-penalty --frequency-penalty --dry-multiplier --dry-base --dry-allowed-length
--dry-penalty-last-n --dry-sequence-breaker --adaptive-target --adaptive-decay --dynatemp-range
--dynatemp-exp --mirostat --mirostat-lr --mirostat-ent -l --logit-bias --grammar -j --json-schema
-bs --backend-sampling -r --reverse-prompt
"""
_BEHAVIOUR = """
--pooling --rope-scaling --rope-scale --rope-freq-base --rope-freq-scale --yarn-orig-ctx --yarn-ext-factor
--yarn-attn-factor --yarn-beta-slow --yarn-beta-fast --embd-normalize --jinja --no-jinja --reasoning-format
-rea --reasoning --reasoning-effort --reasoning-budget --reasoning-budget-message --reasoning-preserve
--chat-template --chat-template-kwargs --skip-chat-parsing --prefill-assistant --no-prefill-assistant
--override-kv --embedding --embeddings --rerank --reranking
"""
_LOGGING = """
--log-disable --log-colors -v --verbose --log-verbose -lv --verbosity --log-verbosity --log-prefix
--log-timestamps --log-jsonl
"""
ALLOWED = frozenset((_PERFORMANCE + _SAMPLING + _BEHAVIOUR + _LOGGING).split())
# What each allowed flag is about: a backend that cannot honour a flag says why by its group.
GROUPS = {
    flag: group
    for group, text in (
        ("performance", _PERFORMANCE),
        ("sampling", _SAMPLING),
        ("behaviour", _BEHAVIOUR),
        ("logging", _LOGGING),
    )
    for flag in text.split()
}

# Why some well-known flags are refused (the rest: "not on the allow-list").
REASONS = {
    **dict.fromkeys(("--host", "--port", "--reuse-port"), "the server must listen where the gateway reaches it"),
    **dict.fromkeys(
        (
            "-m",
            "--model",
            "-mu",
            "--model-url",
            "-hf",
            "-hfr",
            "--hf-repo",
            "-hff",
            "--hf-file",
            "-dr",
            "--docker-repo",
            "-hft",
            "--hf-token",
            "-md",
            "--model-draft",
            "--spec-draft-model",
            "-hfd",
            "-hfrd",
            "--hf-repo-draft",
            "--spec-draft-hf",
            "-mm",
            "--mmproj",
            "-mmu",
            "--mmproj-url",
            "--lora",
            "--lora-scaled",
            "--control-vector",
            "--models-dir",
            "--models-preset",
        ),
        "the model comes from the Compose `model:`",
    ),
    **dict.fromkeys(("-a", "--alias"), "the gateway routes by the Compose model reference"),
    **dict.fromkeys(
        ("--api-key", "--api-key-file", "--ssl-key-file", "--ssl-cert-file"),
        "the gateway reaches the server without a key, over the task network",
    ),
    **dict.fromkeys(("--path", "--api-prefix"), "the gateway expects the standard /v1 API"),
    **dict.fromkeys(
        (
            "--rpc",
            "--tools",
            "-ag",
            "--agent",
            "--mcp-servers-config",
            "--mcp-servers-json",
            "--ui-mcp-proxy",
            "--webui-mcp-proxy",
        ),
        "the server may not reach other servers or run tools",
    ),
}


def refused(flag: str) -> str | None:
    """Why `flag` may not be passed to llama-server, or None when it may."""
    if flag in ALLOWED:
        return None
    return REASONS.get(
        flag,
        "not on the allow-list of llama-server flags that leave the model, its address "
        "and its authentication unchanged",
    )
