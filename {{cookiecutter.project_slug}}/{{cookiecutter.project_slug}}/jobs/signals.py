"""What happens to jobs, for whoever listens (the metrics do): each signal sends the job's name."""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

sent = signals.signal("job-sent")  # handed to the broker after its transaction committed
started = signals.signal("job-started")  # claimed by a worker
retried = signals.signal("job-retried")  # a transient database error: run again after a pause
failed = signals.signal("job-failed")  # bad data, or out of retries
