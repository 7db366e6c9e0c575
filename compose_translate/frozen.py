"""The base of the pipeline's data types: immutable pydantic models, so a plan cannot change once made."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)
