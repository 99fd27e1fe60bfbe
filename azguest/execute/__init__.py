"""DAG executor: bounded parallelism, progress events, stop-on-failure."""

from azguest.execute.dag import Event, Task, TaskOutcome, run_graph

__all__ = ["Event", "Task", "TaskOutcome", "run_graph"]
