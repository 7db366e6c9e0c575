"""AWS realisation of a DeploymentPlan: one ComponentResource per concept (network, cluster, services,
SageMaker and ECS models, the model gateway, load balancers, volumes, secrets), in program.py's order."""
