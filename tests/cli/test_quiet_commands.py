"""Each command prints only what its user needs: no alembic chatter, no INFO lines."""

from tests.cli.test_cli import run


def test_db_upgrade_prints_one_line(tmp_path, env):
    done = run(tmp_path, "db", "upgrade", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"database at head: {env['RENEWALS_DATABASE_URL']}"]


def test_demo_prints_only_its_summary(tmp_path, env):
    done = run(tmp_path, "demo", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[0].startswith("partners: ")


def test_debug_level_shows_the_migrations_again(tmp_path, env):
    done = run(tmp_path, "db", "upgrade", env={**env, "RENEWALS_LOG_LEVEL": "DEBUG"})
    assert "alembic.runtime.migration" in done.stderr
