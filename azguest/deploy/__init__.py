"""The deploy use cases: plan, deploy, status, destroy, gc. Each returns a frozen record."""
