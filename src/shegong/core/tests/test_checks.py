import os
import subprocess
import sys
from pathlib import Path

import pytest


def _shegong(*args: str, env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The test run turns the https redirect off and may create the data folder (root
    # conftest); a real server does neither.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECURE_SSL_REDIRECT", "SHEGONG_INITIALISING", "DATABASE_URL"}
    }
    env = {**inherited, **env_overrides}
    return subprocess.run(
        [sys.executable, "-m", "shegong.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _shegong("check", "--deploy", "--fail-level", "WARNING", env_overrides=env_overrides)


def test_deploy_check_is_clean_with_production_settings(tmp_path) -> None:
    result = _check(
        {"DEBUG": "0", "ALLOWED_HOSTS": "shegong.example.org", "SHEGONG_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_reports_missing_allowed_hosts(tmp_path) -> None:
    result = _check({"DEBUG": "0", "ALLOWED_HOSTS": "", "SHEGONG_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "shegong.E001" in result.stdout + result.stderr
    assert "ALLOWED_HOSTS 不能为空" in result.stdout + result.stderr


def test_the_secret_key_is_generated_once_and_kept(tmp_path) -> None:
    env = {"DEBUG": "0", "ALLOWED_HOSTS": "x", "SHEGONG_DATA_DIR": str(tmp_path), "SECRET_KEY": ""}
    _check(env)
    first = (tmp_path / "secret_key").read_text()
    _check(env)
    assert (tmp_path / "secret_key").read_text() == first
    assert len(first) >= 50


def test_a_vanished_data_folder_is_reported_and_not_recreated(tmp_path) -> None:
    gone = tmp_path / "data"
    result = _check({"SHEGONG_DATA_DIR": str(gone), "DEBUG": "1", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert f"数据目录 {gone} 不存在" in result.stderr
    assert "shegong migrate" in result.stderr
    assert not gone.exists()  # no fresh empty database, no new secret key


def test_the_production_server_refuses_to_start_on_a_vanished_data_folder(tmp_path) -> None:
    gone = tmp_path / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SHEGONG_INITIALISING", "DATABASE_URL", "SECURE_SSL_REDIRECT"}
    }
    result = subprocess.run(
        [sys.executable, "-c", "import shegong.wsgi"],
        env={**env, "SHEGONG_DATA_DIR": str(gone), "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert "Shegong 未启动" in result.stderr
    assert "Traceback" not in result.stderr
    assert not gone.exists()


def test_migrate_sets_up_a_new_data_folder(tmp_path) -> None:
    new = tmp_path / "data"
    result = _shegong("migrate", "-v0", env_overrides={"SHEGONG_DATA_DIR": str(new)})
    assert result.returncode == 0, result.stderr
    assert (new / "shegong.sqlite3").exists()
    assert (new / "secret_key").exists()


def test_a_database_url_with_a_typo_in_its_scheme_is_named(tmp_path) -> None:
    result = _check(
        {"SHEGONG_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgress://u:secret@h:5432/db"}
    )
    assert result.returncode != 0
    assert "DATABASE_URL 无法识别" in result.stderr
    assert "secret" not in result.stderr  # the password is not printed


def test_a_missing_sqlite_folder_is_named(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/nowhere/shegong.sqlite3"
    result = _check({"SHEGONG_DATA_DIR": str(tmp_path), "DATABASE_URL": url})
    assert result.returncode != 0
    assert f"数据库文件所在目录 {tmp_path}/nowhere 不存在" in result.stderr


def _postgres_answers() -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 5432)) == 0


needs_postgres = pytest.mark.skipif(not _postgres_answers(), reason="no PostgreSQL here")


@needs_postgres
@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgres://postgres@127.0.0.1:1/test", "连接不上数据库服务器 127.0.0.1:1"),
        ("postgres://postgres@127.0.0.1:5432/no_such_db_here", "数据库 no_such_db_here 不存在"),
        ("postgres://no_such_role@127.0.0.1:5432/test", "数据库用户 no_such_role 不存在"),
    ],
)
def test_check_connects_and_says_what_is_wrong_with_the_database(
    tmp_path: Path, url: str, said: str
) -> None:
    result = _check({"SHEGONG_DATA_DIR": str(tmp_path), "DATABASE_URL": url})
    assert result.returncode != 0
    assert said in result.stderr


@needs_postgres
def test_a_command_on_an_unreachable_database_prints_the_reason_not_a_traceback(
    tmp_path: Path,
) -> None:
    url = "postgres://postgres@127.0.0.1:1/test"
    result = _shegong(
        "migrate",
        "--skip-checks",
        env_overrides={"SHEGONG_DATA_DIR": str(tmp_path), "DATABASE_URL": url},
    )
    assert result.returncode == 1
    assert "连接不上数据库服务器 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr
