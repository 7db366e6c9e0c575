"""A model served by Amazon Bedrock: which model ID the gateway calls, from which Region, through which inference
profile, with which defaults, and what it may cost. The catalogue of models is `compose_translate/bedrock.py`."""

from __future__ import annotations

import re

from compose_translate import bedrock
from compose_translate.errors import Report
from compose_translate.frozen import Frozen
from compose_translate.llama_flags import GROUPS, refused
from compose_translate.normalize.project import ModelSpec
from compose_translate.plan.flags import read_flags
from compose_translate.plan.placement import Placement

# llama-server sampling flags the Converse API takes (inferenceConfig), as the gateway's per-model defaults
_SAMPLING_DEFAULTS = {
    "--temp": "temperature",
    "--temperature": "temperature",
    "--top-p": "top_p",
    "-n": "max_tokens",
    "--predict": "max_tokens",
    "--n-predict": "max_tokens",
}
ANY_REGION = "*"  # the destinations of a profile the catalogue does not list
_TOKENS = re.compile(r"(\d{1,12})/(\d{1,12})")


class BedrockServing(Frozen):
    """How the gateway reaches one Bedrock model."""

    model_id: str  # what requests name: a foundation model ID, or a cross-Region inference profile ID
    foundation_model: str  # the model ID without a profile's prefix
    name: str | None  # the catalogue's name; None for an ID the catalogue does not list
    profile: str | None  # the profile's geography prefix (us, eu, ...), or None in-Region
    region: str  # the source Region: where the gateway signs and sends requests
    destinations: tuple[str, ...]  # Regions that may serve it (the source alone without a profile)
    context_window: int | None
    input_per_million: float | None
    output_per_million: float | None
    input_tokens_per_hour: int | None = None  # cloud.expected-tokens-per-hour
    output_tokens_per_hour: int | None = None
    embeddings: bool = False
    defaults: dict[str, float] = {}  # request defaults from runtime_flags (temperature, top_p, max_tokens)

    def invoke_arns(self, account: str) -> list[str]:
        """What the gateway may invoke: the foundation model in the Region, or through a cross-Region profile the
        profile itself and the foundation model in every destination Region (IAM checks each hop)."""
        partition = partition_of(self.region)
        models = [f"arn:{partition}:bedrock:{r}::foundation-model/{self.foundation_model}" for r in self.destinations]
        if self.profile is None:
            return models
        return [f"arn:{partition}:bedrock:{self.region}:{account}:inference-profile/{self.model_id}", *models]

    @property
    def hourly_usd(self) -> float:
        """$0 while idle; the expected tokens at the per-token prices when the label gives them."""
        if self.input_tokens_per_hour is None or self.input_per_million is None or self.output_per_million is None:
            return 0.0
        cost = self.input_tokens_per_hour * self.input_per_million
        cost += (self.output_tokens_per_hour or 0) * self.output_per_million
        return round(cost / 1e6, 4)


def partition_of(region: str) -> str:
    """The ARN partition of a Region (botocore's partitions: aws, aws-cn, aws-us-gov)."""
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def plan_bedrock(model: ModelSpec, placement: Placement, report: Report) -> BedrockServing | None:
    """Resolve one Bedrock model, or report why it cannot be served (None)."""
    errors = len(report.errors)
    explicit = model.labels.get("cloud.bedrock-model")
    entry, model_id, prefix = _chosen(model, placement, explicit, report)
    if model_id is None:
        return None
    foundation = bedrock.split_profile(model_id)[1]
    profile = _profile(entry, prefix, placement.region, model, explicit is not None, report)
    destinations = profile.destinations if profile else (placement.region,)
    if entry and not profile and placement.region not in entry.regions:
        _unavailable(entry, placement.region, model, report)
    window = entry.context_window if entry else None
    if model.context_size is not None and window is not None and model.context_size > window:
        report.error(
            f"context_size {model.context_size} is above {entry.name if entry else model_id}'s limit on Bedrock "
            f"({window} tokens)",
            model.where("context_size"),
            hint=f"use at most {window}, or serve the model on sagemaker or ecs",
        )
    defaults = _defaults(model, report)
    tokens = _expected_tokens(model, report)
    if len(report.errors) > errors:
        return None
    _fidelity(model, entry, explicit, report)
    return BedrockServing(
        model_id=f"{profile.prefix}.{foundation}" if profile else foundation,
        foundation_model=foundation,
        name=entry.name if entry else None,
        profile=profile.prefix if profile else None,
        region=placement.region,
        destinations=tuple(sorted(destinations)),
        context_window=window,
        input_per_million=_price(entry, profile, "input"),
        output_per_million=_price(entry, profile, "output"),
        input_tokens_per_hour=tokens[0] if tokens else None,
        output_tokens_per_hour=tokens[1] if tokens else None,
        embeddings=placement.embeddings,
        defaults=defaults or {},
    )


def _price(entry: bedrock.BedrockModel | None, profile: bedrock.Profile | None, kind: str) -> float | None:
    """USD per million tokens: the profile's geography's price where it differs, else the model's."""
    if entry is None:
        return None
    own = getattr(profile, f"{kind}_per_million") if profile else None
    return float(own if own is not None else getattr(entry, f"{kind}_per_million"))


def _chosen(
    model: ModelSpec, placement: Placement, explicit: str | None, report: Report
) -> tuple[bedrock.BedrockModel | None, str | None, str | None]:
    """(catalogue entry, model ID as chosen, profile prefix as written) from the label, or from the catalogue."""
    if explicit is not None:
        if not bedrock.is_model_id(explicit):
            report.error(
                f'"{explicit[:100]}" is not a Bedrock model ID',
                model.label("cloud.bedrock-model"),
                hint="write a model ID such as meta.llama3-3-70b-instruct-v1:0, or an inference profile ID "
                "such as us.meta.llama3-3-70b-instruct-v1:0 (see `aws bedrock list-foundation-models`)",
            )
            return None, None, None
        prefix, foundation = bedrock.split_profile(explicit)
        entry = bedrock.known(foundation)
        if entry is None:
            report.warn(
                f"{explicit} is not in compose-cloud's Bedrock table (dated {bedrock.CATALOGUE_DATE}): its Regions, "
                "context window and price are not checked",
                model.label("cloud.bedrock-model"),
                hint="`compose-cloud preflight` asks the account whether the model is available",
            )
        elif entry.embeddings != placement.embeddings:
            kind = "an embedding" if entry.embeddings else "a chat"
            report.error(
                f"{explicit} is {kind} model, but {model.model} is served as "
                f"{'an embedding' if placement.embeddings else 'a chat'} model",
                model.label("cloud.bedrock-model"),
                hint="choose a model of the same kind, or set cloud.embeddings to say which this is",
            )
            return None, None, None
        return entry, explicit, prefix
    if placement.embeddings:
        report.error(
            f"{model.model} is an embedding model: Bedrock's embedding models are different models, whose vectors "
            "do not match the local model's, so none is chosen for it",
            model.label("cloud.backend"),
            hint="name one with cloud.bedrock-model (e.g. amazon.titan-embed-text-v2:0), or serve it on ecs",
        )
        return None, None, None
    entry = bedrock.matching(model.ref)
    if entry is None:
        report.error(
            f"AWS serves no Bedrock model of the same family and size as {model.model}",
            model.label("cloud.backend"),
            hint="name a Bedrock model with cloud.bedrock-model, or use sagemaker or ecs; models matched "
            "automatically: " + ", ".join(bedrock.family_names()),
        )
        return None, None, None
    return entry, entry.model_id, None


def _profile(
    entry: bedrock.BedrockModel | None,
    prefix: str | None,
    region: str,
    model: ModelSpec,
    explicit: bool,
    report: Report,
) -> bedrock.Profile | None:
    """The cross-Region inference profile requests go through: the one named, or, for a model the catalogue does
    not list in the Region, the profile that may be called from it."""
    if prefix is not None:
        found = next((p for p in entry.profiles if p.prefix == prefix), None) if entry else None
        if found is None:
            # not in the table: called from the Region itself, served wherever its geography's profile routes
            # (unknown here): the gateway may invoke this one model in any Region, through the profile or not
            return bedrock.Profile(prefix=prefix, sources=(region,), destinations=(ANY_REGION,)) if not entry else None
        if region not in found.sources:
            report.error(
                f"the {prefix}. inference profile of {entry.name if entry else prefix} cannot be called from {region}",
                model.label("cloud.region" if "cloud.region" in model.labels else "cloud.bedrock-model"),
                hint=f"call it from {', '.join(found.sources)} (cloud.region)",
            )
        return found
    if explicit or entry is None or region in entry.regions:
        return None
    found = next((p for p in entry.profiles if region in p.sources), None)
    if found is not None:
        report.warn(
            f"{entry.name} is not served in {region} itself: requests go through the {found.prefix}. cross-Region "
            f"inference profile and may be processed in {', '.join(found.destinations)}",
            model.where("model"),
            hint=f"to keep requests in one Region, set cloud.region to one of {', '.join(entry.regions)}"
            if entry.regions
            else "AWS serves this model through inference profiles only",
        )
    return found


def _unavailable(entry: bedrock.BedrockModel, region: str, model: ModelSpec, report: Report) -> None:
    where = [*entry.regions, *(f"{p.prefix}. profile from {r}" for p in entry.profiles for r in p.sources)]
    report.error(
        f"Bedrock does not serve {entry.name} in {region} (AWS's model page, as of {bedrock.CATALOGUE_DATE})",
        model.label("cloud.region") if "cloud.region" in model.labels else model.where("model"),
        hint=f"set cloud.region to one of: {', '.join(sorted(where))}; if AWS has added the Region since, name the "
        f"model with cloud.bedrock-model={entry.model_id} (preflight then checks it)",
    )


# Why a group of llama-server flags (llama_flags.GROUPS) means nothing on Bedrock
_GROUP_REASONS = {
    "performance": "Bedrock chooses its own hardware and serving engine",
    "sampling": "Bedrock's Converse API takes temperature, top-p and the output length only",
    "behaviour": "Bedrock applies the model's own chat template and features",
    "logging": "Bedrock keeps no server log of ours",
}


def _flag_reason(flag: str) -> str:
    if flag in ("-c", "--ctx-size"):
        return "set context_size instead (Bedrock serves the model's own context window)"
    group = GROUPS.get(flag)
    return _GROUP_REASONS[group] if group else refused(flag) or "not a llama-server flag"


def _defaults(model: ModelSpec, report: Report) -> dict[str, float] | None:
    """runtime_flags on Bedrock: sampling flags become the gateway's request defaults, the rest are refused."""
    flags = read_flags(model, report)
    if flags is None:
        return None
    defaults: dict[str, float] = {}
    refusals = []
    for flag, value in flags:
        key = _SAMPLING_DEFAULTS.get(flag)
        number = _number(value, key)
        if key is None or number is None:
            reason = _flag_reason(flag) if key is None else f"needs a {'whole ' if key == 'max_tokens' else ''}number"
            refusals.append(f"{flag}: {reason}")
        else:
            defaults[key] = number
    if refusals:
        report.error(
            "runtime_flags a Bedrock model cannot honour: " + "; ".join(refusals),
            model.where("runtime_flags"),
            hint="remove them: on Bedrock only --temp, --top-p and --n-predict apply (as request defaults)",
        )
        return None
    return dict(sorted(defaults.items()))


def _number(value: str | None, key: str | None) -> float | None:
    if value is None or key is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if key == "max_tokens":
        return number if number.is_integer() and 1 <= number <= 1_000_000 else None
    return number if 0 <= number <= 2 else None


def _expected_tokens(model: ModelSpec, report: Report) -> tuple[int, int] | None:
    raw = model.labels.get("cloud.expected-tokens-per-hour")
    if raw is None:
        return None
    match = _TOKENS.fullmatch(raw.replace("_", "").replace(",", ""))
    if match is None:
        report.error(
            f'cloud.expected-tokens-per-hour must be INPUT/OUTPUT tokens per hour, got "{raw[:60]}"',
            model.label("cloud.expected-tokens-per-hour"),
            hint="e.g. 900000/100000: Bedrock prices input and output tokens differently",
        )
        return None
    return int(match.group(1)), int(match.group(2))


def _fidelity(model: ModelSpec, entry: bedrock.BedrockModel | None, explicit: str | None, report: Report) -> None:
    """Bedrock serves the provider's weights: say how the answers may differ from the local model's."""
    if entry is None or explicit is not None:
        return
    quantised = f" ({model.ref.tag})" if model.ref.tag and model.ref.tag != "latest" else ""
    note = f" {entry.differs}." if entry.differs else ""
    report.warn(
        f"{model.model} runs on Bedrock as {entry.model_id}: AWS serves {entry.name} from the provider's weights, not "
        f"the quantised GGUF{quantised} Docker Model Runner runs, so answers differ from the local model's.{note}",
        model.where("model"),
        hint="pin cloud.bedrock-model to silence this, or use sagemaker or ecs to serve the same GGUF",
    )
