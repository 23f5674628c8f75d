"""The townperf dashboard: a Dash Pages app; `dashboard.app.create_app` builds it."""
