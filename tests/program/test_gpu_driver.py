"""The GPU driver under each image supports the image's CUDA natively (issue 22, item 6).

SageMaker: the AMI table is read from botocore's own documentation of ProductionVariant.InferenceAmiVersion,
so a new botocore that changes it is noticed. The pinned AMIs disable the NVIDIA toolkit's CUDA-compat
mounting and AWS's image does not put its compat libraries on the loader path: the host driver alone
must run the image's CUDA. ECS: the GPU-optimized AMI's driver against ggml-org's server-cuda image.
"""

from __future__ import annotations

import re

import botocore.session

from compose_translate.serving import (
    CUDA_MINIMUM_DRIVER,
    ECS_GPU_AMI_DRIVER,
    LLAMA_CPP_CUDA_IMAGE_CUDA,
    SAGEMAKER_IMAGE_CUDA,
    SAGEMAKER_INFERENCE_AMI,
)


def ami_table() -> dict[str, dict[str, str]]:
    """AMI name -> {"driver": "580", "cuda": "13.0", "compat": "disabled" or ""}, from botocore's docs."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    docs = model.shape_for("ProductionVariant").members["InferenceAmiVersion"].documentation
    table = {}
    for name, body in re.findall(r"<dt>([^<]+)</dt>\s*<dd>(.*?)</dd>", docs, re.S):
        driver = re.search(r"NVIDIA driver version: (\d+)", body)
        cuda = re.search(r"CUDA version: ([\d.]+)", body)
        if driver and cuda:
            compat = "disabled" if "disabled CUDA-compat mounting" in body else ""
            table[name.strip()] = {"driver": driver.group(1), "cuda": cuda.group(1), "compat": compat}
    return table


def supports(driver: int, cuda: str) -> bool:
    return driver >= CUDA_MINIMUM_DRIVER[cuda]


def test_botocore_documents_the_gpu_amis():
    table = ami_table()
    assert table["al2-ami-sagemaker-inference-gpu-3-1"] == {"driver": "550", "cuda": "12.4", "compat": "disabled"}
    assert SAGEMAKER_INFERENCE_AMI in table


def test_the_sagemaker_ami_runs_the_images_cuda_natively():
    ami = ami_table()[SAGEMAKER_INFERENCE_AMI]
    assert supports(int(ami["driver"]), SAGEMAKER_IMAGE_CUDA), (SAGEMAKER_INFERENCE_AMI, ami, SAGEMAKER_IMAGE_CUDA)
    assert float(ami["cuda"]) >= float(SAGEMAKER_IMAGE_CUDA)


def test_the_former_pin_would_have_failed_this_check():
    """al2-ami-sagemaker-inference-gpu-3-1 (driver 550) cannot run CUDA 13 without compat libraries."""
    old = ami_table()["al2-ami-sagemaker-inference-gpu-3-1"]
    assert not supports(int(old["driver"]), SAGEMAKER_IMAGE_CUDA) and old["compat"] == "disabled"


def test_the_ecs_gpu_ami_runs_the_llama_cpp_cuda_image():
    assert supports(ECS_GPU_AMI_DRIVER, LLAMA_CPP_CUDA_IMAGE_CUDA)


def test_the_pinned_ami_is_what_the_plan_deploys(tmp_path):
    from compose_translate import LoadOptions, make_plan

    (tmp_path / "compose.yaml").write_text(
        "services: {app: {image: a, models: [m]}}\nmodels: {m: {model: ai/smollm2}}\n"
    )
    plan = make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}, default_name="app"))
    assert plan.models["m"].sagemaker.inference_ami_version == SAGEMAKER_INFERENCE_AMI
