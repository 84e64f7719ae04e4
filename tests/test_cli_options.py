"""Options that work wherever a person puts them, and errors that state the real rule."""

from __future__ import annotations

from bot.cli import main


def test_config_is_accepted_before_or_after_the_command(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("[storage]\nretention_days = 30\n", encoding="utf-8")
    for argv in (["--config", str(config), "serve"], ["serve", "--config", str(config)]):
        assert main(argv) == 1                       # got as far as the missing token
        assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


def test_a_config_that_does_not_exist_is_named_wherever_it_is_given(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    assert main(["--config", str(missing), "serve"]) == 1
    assert "nope.toml" in capsys.readouterr().err


def test_conflicting_configs_are_a_usage_error(tmp_path, capsys):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    try:
        main(["--config", str(a), "serve", "--config", str(b)])
    except SystemExit as exc:
        assert exc.code == 2
    assert "given twice" in capsys.readouterr().err


def test_the_token_error_states_the_rule(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:short")
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "at least 20" in err and "letters, digits" in err


def test_a_config_nested_a_thousand_deep_is_a_plain_error(tmp_path, capsys):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    assert main(["index", "stats", "--config", str(deep)]) == 1
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "Traceback" not in err
