FLASK_APP={{ cookiecutter.project_slug }}
FLASK_RUN_HOST=127.0.0.1
FLASK_RUN_PORT=5000
