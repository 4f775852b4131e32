"""The registrar pipeline: applications, enrollments and withdrawals -> ACR and withdrawal rate."""
