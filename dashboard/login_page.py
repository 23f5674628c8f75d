"""The sign-in form: plain HTML served by Flask, so it works before any Dash code loads."""

from __future__ import annotations

from markupsafe import escape

from dashboard.i18n import current_lang, t


def render_login(error: str | None) -> str:
    lang = current_lang()
    message = ""
    if error:
        message = (
            f'<div class="alert alert-danger" role="alert">{escape(t("auth." + error, lang))}</div>'
        )
    return f"""<!doctype html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("auth.login_title", lang))}</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css">
<link rel="stylesheet" href="/assets/townperf.css">
</head>
<body class="login-body">
<main class="container" style="max-width: 420px; margin-top: 10vh;">
  <h1 class="h4 mb-4">{escape(t("auth.login_title", lang))}</h1>
  {message}
  <form method="post" id="login-form">
    <div class="mb-3">
      <label class="form-label" for="username">{escape(t("auth.username", lang))}</label>
      <input class="form-control" id="username" name="username" autocomplete="username" required>
    </div>
    <div class="mb-3">
      <label class="form-label" for="password">{escape(t("auth.password", lang))}</label>
      <input class="form-control" id="password" name="password" type="password"
             autocomplete="current-password" required>
    </div>
    <button class="btn btn-primary w-100" type="submit" id="login-submit">
      {escape(t("auth.login", lang))}</button>
  </form>
  <p class="text-muted mt-4 small">{escape(t("auth.public_note", lang))}:
    <a href="/public">/public</a> · <a href="/methodology">/methodology</a></p>
</main>
</body>
</html>"""
