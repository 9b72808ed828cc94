//! Postgres clusters the xtask owns: the developer's (kept in `.dev/postgres`) and a throwaway one
//! per test run. As root, the server binaries run as user `postgres` (they refuse to run as root).

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use crate::{
    Result,
    http::free_port,
    process::{self, Interrupted, is_root},
    steps::{say, step},
};

/// Durability off: a test cluster's data is thrown away anyway; the per-test databases need connections.
const THROWAWAY_SETTINGS: &[&str] =
    &["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300"];
const SUPERUSER: &str = "postgres";

/// Where the server binaries are, and how to run them.
#[derive(Clone)]
pub struct Server {
    bin_dir: PathBuf,
    as_postgres: bool,
}

impl Server {
    /// `pg_config --bindir` if it holds `initdb`, else the newest `/usr/lib/postgresql/<version>/bin`.
    pub fn find() -> Result<Server> {
        let bin_dir =
            pg_config_bin_dir().filter(|dir| dir.join("initdb").is_file()).or_else(newest_debian_bin_dir).ok_or(
                "Postgres server binaries (initdb, pg_ctl) not found; install them: apt-get install -y postgresql",
            )?;
        Ok(Server { bin_dir, as_postgres: is_root() })
    }

    /// One of this installation's programs (`pgbench`, `psql`...).
    pub fn program(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    pub fn version(&self) -> Result<String> {
        let version = process::output(Command::new(self.bin_dir.join("postgres")).arg("--version"))?;
        Ok(format!("{} in {}", version.trim(), self.bin_dir.display()))
    }

    /// A server program (initdb, pg_ctl), run as `postgres` when we are root.
    fn command(&self, program: &str) -> Command {
        let program = self.bin_dir.join(program);
        let mut command = if self.as_postgres {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", SUPERUSER, "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        // `postgres` may not be allowed into our working directory.
        command.current_dir("/");
        command
    }

    /// A client program (psql, createdb): it connects over TCP, so it runs as whoever we are.
    fn client(&self, program: &str) -> Command {
        Command::new(self.bin_dir.join(program))
    }
}

fn pg_config_bin_dir() -> Option<PathBuf> {
    let bin_dir = process::output(Command::new("pg_config").arg("--bindir").stderr(Stdio::null())).ok()?;
    Some(PathBuf::from(bin_dir.trim()))
}

fn newest_debian_bin_dir() -> Option<PathBuf> {
    let versions = fs::read_dir("/usr/lib/postgresql").ok()?;
    let newest = versions
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|version| Path::new(&format!("/usr/lib/postgresql/{version}/bin/initdb")).is_file())
        .max()?;
    Some(PathBuf::from(format!("/usr/lib/postgresql/{newest}/bin")))
}

/// A running cluster on 127.0.0.1 with trust auth; dropping it stops it (and removes a throwaway one).
pub struct Cluster {
    server: Server,
    data_dir: PathBuf,
    port: u16,
    throwaway: bool,
}

impl Cluster {
    /// The developer's cluster: created once, kept between runs, with Postgres' durable defaults.
    pub fn start_dev(server: &Server, data_dir: PathBuf, database: &str) -> Result<Cluster> {
        let cluster = Cluster { server: server.clone(), data_dir, port: free_port()?, throwaway: false };
        cluster.prepare_data_dir()?;
        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.initdb(&[])?;
        }
        cluster.stop_leftover()?;
        cluster.start(&[])?;
        cluster.create_database(database)?;
        Ok(cluster)
    }

    /// A cluster for one test run, in a fresh directory under /tmp (reachable by `postgres`).
    pub fn start_throwaway(server: &Server) -> Result<Cluster> {
        let port = free_port()?;
        let data_dir = process::output(Command::new("mktemp").args(["-d", "/tmp/ledgerline-test.XXXXXX"]))?;
        // From here on, dropping it removes the directory.
        let cluster = Cluster { server: server.clone(), data_dir: data_dir.trim().into(), port, throwaway: true };
        cluster.prepare_data_dir()?;
        cluster.initdb(&["--no-sync"])?;
        cluster.start(THROWAWAY_SETTINGS)?;
        Ok(cluster)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Mode 700 and, as root, owned by `postgres`, which must also be able to reach it.
    fn prepare_data_dir(&self) -> Result {
        let dir = &self.data_dir;
        fs::create_dir_all(dir).map_err(|error| format!("creating {}: {error}", dir.display()))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        if self.server.as_postgres {
            process::run(Command::new("chown").arg(format!("{SUPERUSER}:{SUPERUSER}")).arg(dir))
                .map_err(|error| format!("{error}; as root, Postgres runs as user `{SUPERUSER}`, which must exist"))?;
            let reachable = Command::new("runuser")
                .args(["-u", SUPERUSER, "--", "test", "-w"])
                .arg(dir)
                .args(["-a", "-x"])
                .arg(dir)
                .status()?;
            if !reachable.success() {
                return Err(format!(
                    "user `{SUPERUSER}` cannot reach {}: every parent directory must be searchable by others \
                     (chmod o+x), or point DATABASE_URL at another server",
                    dir.display()
                )
                .into());
            }
        }
        Ok(())
    }

    fn initdb(&self, extra: &[&str]) -> Result {
        step(&format!("creating a Postgres cluster in {}", self.data_dir.display()), || {
            let mut initdb = self.server.command("initdb");
            initdb
                .arg("-D")
                .arg(&self.data_dir)
                .args(["-A", "trust", "-U", SUPERUSER, "--encoding", "UTF8", "--locale", "C.UTF-8"])
                .args(extra)
                .stdout(Stdio::null());
            process::run(&mut initdb)
        })
    }

    fn start(&self, settings: &[&str]) -> Result {
        step(&format!("starting Postgres on 127.0.0.1:{}", self.port), || {
            let log = self.data_dir.join("server.log");
            // pg_ctl hands these to the server through a shell.
            let mut options =
                format!("-c listen_addresses=127.0.0.1 -p {} -k {}", self.port, shell_quote(&self.data_dir));
            for setting in settings {
                options += &format!(" -c {setting}");
            }
            let mut pg_ctl = self.pg_ctl("start");
            pg_ctl.args(["-w", "-t", "60", "-l"]).arg(&log).args(["-o", &options]);
            process::run(&mut pg_ctl).map_err(|error| {
                if error.is::<Interrupted>() {
                    return error;
                }
                format!("{error}; the end of {}:\n{}", log.display(), tail(&log)).into()
            })
        })
    }

    fn create_database(&self, name: &str) -> Result {
        let port = self.port.to_string();
        let connection = ["-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER];
        let query = format!("SELECT 1 FROM pg_database WHERE datname = '{name}'");
        let found = process::output(
            self.server.client("psql").args(connection).args(["-X", "-d", "postgres", "-tAc", &query]),
        )?;
        if found.trim() != "1" {
            step(&format!("creating database {name}"), || {
                process::run(self.server.client("createdb").args(connection).arg(name))
            })?;
        }
        Ok(())
    }

    /// A server left running by an earlier `cargo xtask dev` that did not get to stop it (killed).
    fn stop_leftover(&self) -> Result {
        if self.is_running() {
            say!("    a Postgres from an earlier run still runs on {}; stopping it", self.data_dir.display());
            self.stop()?;
        }
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.data_dir.join("postmaster.pid").exists()
            && self.pg_ctl("status").status().is_ok_and(|status| status.success())
    }

    fn stop(&self) -> Result {
        process::run(self.pg_ctl("stop").args(["-w", "-m", "fast"]))
    }

    /// Stops the server (fast: open connections are cut) and starts it again with the same settings.
    pub fn restart(&self) -> Result {
        step(&format!("restarting Postgres on 127.0.0.1:{}", self.port), || {
            process::run(self.pg_ctl("restart").args(["-m", "fast", "-w", "-t", "60"]))
        })
    }

    fn pg_ctl(&self, action: &str) -> Command {
        let mut pg_ctl = self.server.command("pg_ctl");
        pg_ctl.arg(action).arg("-D").arg(&self.data_dir).stdout(Stdio::null());
        pg_ctl
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = step(&format!("stopping Postgres ({})", self.data_dir.display()), || self.stop());
        }
        if self.throwaway {
            let _ = step(&format!("removing {}", self.data_dir.display()), || Ok(fs::remove_dir_all(&self.data_dir)?));
        }
    }
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

fn tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_paths_for_the_shell() {
        assert_eq!(shell_quote(Path::new("/tmp/a b")), "'/tmp/a b'");
        assert_eq!(shell_quote(Path::new("/tmp/it's")), r"'/tmp/it'\''s'");
    }
}
