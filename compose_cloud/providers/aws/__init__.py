"""AWS realisation of a DeploymentPlan (ECS services, SageMaker/ECS models, the model gateway).

Not built yet: the plan is exported as a stack output so `pulumi preview` shows what will be deployed.
"""
