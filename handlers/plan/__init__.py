"""The action plan followed through: commit to steps, check-ins when they fall due, blockers."""
