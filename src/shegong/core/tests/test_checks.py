import os
import subprocess
import sys


def _check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The test run turns the https redirect off (root conftest); production must not.
    inherited = {k: v for k, v in os.environ.items() if k != "SECURE_SSL_REDIRECT"}
    env = {**inherited, **env_overrides}
    return subprocess.run(
        [sys.executable, "-m", "shegong.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path) -> None:
    result = _check(
        {"DEBUG": "0", "ALLOWED_HOSTS": "shegong.example.org", "SHEGONG_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_reports_missing_allowed_hosts(tmp_path) -> None:
    result = _check({"DEBUG": "0", "ALLOWED_HOSTS": "", "SHEGONG_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "shegong.E001" in result.stdout + result.stderr


def test_the_secret_key_is_generated_once_and_kept(tmp_path) -> None:
    env = {"DEBUG": "0", "ALLOWED_HOSTS": "x", "SHEGONG_DATA_DIR": str(tmp_path), "SECRET_KEY": ""}
    _check(env)
    first = (tmp_path / "secret_key").read_text()
    _check(env)
    assert (tmp_path / "secret_key").read_text() == first
    assert len(first) >= 50
