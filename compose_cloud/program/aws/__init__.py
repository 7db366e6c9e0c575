"""AWS realisation of a DeploymentPlan: one ComponentResource per concept (network, cluster, services
and their task definitions, SageMaker and ECS models, the model gateway, load balancers, volumes,
secrets), in program.py's order; helpers build images (images.py) and scaling (scaling.py, ecs_scaling.py)."""
