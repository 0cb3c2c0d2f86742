from tui.settings import load_settings


def test_defaults_and_env_override(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('backend = "local"\npoll_interval = 15\n')
    env = {"HPTUNE_POLL_INTERVAL": "30", "HPTUNE_WORKSPACE": str(tmp_path / "ws")}
    s = load_settings(env=env, user_config=cfg)
    assert s.backend == "local"
    assert s.poll_interval == 30.0
    assert s.workspace == (tmp_path / "ws").resolve()
    assert s.problems == []


def test_workspace_config_between_user_config_and_env(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "hptune.toml").write_text('backend = "ssh"\nssh_host = "alvis"\n')
    cfg = tmp_path / "config.toml"
    cfg.write_text('backend = "local"\n')
    s = load_settings(env={}, workspace=ws, user_config=cfg)
    assert (s.backend, s.ssh_host) == ("ssh", "alvis")
    s = load_settings(env={"HPTUNE_BACKEND": "slurm"}, workspace=ws, user_config=cfg)
    assert s.backend == "slurm"


def test_corrupt_config_is_reported_kept_and_not_overwritten(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("backend = [unterminated\n")
    s = load_settings(env={"HPTUNE_WORKSPACE": str(tmp_path / "ws")}, user_config=cfg)
    assert s.backend == "auto"
    assert len(s.problems) == 1 and "config.toml" in s.problems[0] and "not valid TOML" in s.problems[0]
    assert cfg.read_text() == "backend = [unterminated\n"
    copies = list(tmp_path.glob("config.toml.broken-*"))
    assert len(copies) == 1 and copies[0].read_text() == cfg.read_text()


def test_bad_values_are_reported_not_applied(tmp_path):
    env = {"HPTUNE_BACKEND": "cloud", "HPTUNE_POLL_INTERVAL": "0.5", "HPTUNE_COLOUR": "x",
           "HPTUNE_WORKSPACE": str(tmp_path)}
    s = load_settings(env=env, user_config=tmp_path / "none.toml")
    assert s.backend == "auto" and s.poll_interval == 10.0
    text = "\n".join(s.problems)
    assert "backend must be one of" in text
    assert "at least 2 seconds" in text
    assert "unknown setting 'colour'" in text


def test_the_workspace_is_found_from_a_folder_inside_it(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    (ws / "03_hyperqueue" / "runs").mkdir(parents=True)
    (ws / "hptune.toml").write_text('backend = "local"\n')
    monkeypatch.chdir(ws / "03_hyperqueue" / "runs")
    s = load_settings(env={}, user_config=tmp_path / "absent.toml")
    assert s.workspace == ws.resolve() and s.backend == "local"
    monkeypatch.chdir(tmp_path)  # outside any workspace: the default one
    assert load_settings(env={}, user_config=tmp_path / "absent.toml").workspace != ws.resolve()
