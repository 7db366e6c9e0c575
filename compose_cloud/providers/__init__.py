"""Realisers of a DeploymentPlan, one folder per cloud. They make no decisions the plan could make."""
