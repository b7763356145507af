//! A real OpenLDAP server (Debian's `slapd`) on loopback for the directory sign-in tests: started per test in a
//! temporary folder with a small directory (the union, its people and Anbao's service account), stopped on drop.
//! `scripts/test.sh` installs `slapd`; without it the tests that need one fail and say so.
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SUFFIX: &str = "dc=yunling,dc=example";
pub const SERVICE_DN: &str = "cn=anbao,ou=services,dc=yunling,dc=example";
pub const SERVICE_PASSWORD: &str = "service-secret-1";
const ROOT_DN: &str = "cn=admin,dc=yunling,dc=example";
const ROOT_PASSWORD: &str = "root-secret-1";

pub struct Slapd {
    pub url: String,
    dir: PathBuf,
    child: Child,
}

fn slapd_binary() -> PathBuf {
    ["/usr/sbin/slapd", "/usr/local/sbin/slapd"].iter().map(PathBuf::from).find(|p| p.exists()).unwrap_or_else(|| {
        panic!("the directory tests need OpenLDAP's slapd (apt-get install slapd; scripts/test.sh does)")
    })
}

/// A loopback port free now, for a server started later (the app is configured before the people are known).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// One person in the test directory.
pub struct Person<'a> {
    pub uid: &'a str,
    pub password: &'a str,
    /// The `employeeNumber`: a staff number of Anbao's register (or one it does not hold).
    pub staff_no: &'a str,
}

impl Slapd {
    /// Start a server on `port` holding `people` under `ou=people`, and Anbao's service account under `ou=services`.
    pub fn start(port: u16, people: &[Person<'_>]) -> Slapd {
        let slapd = slapd_binary();
        let dir = std::env::temp_dir().join(format!("anbao-slapd-{}", super::random_suffix()));
        std::fs::create_dir_all(dir.join("db")).expect("slapd folder");
        let d = dir.display();
        let conf = format!(
            "include /etc/ldap/schema/core.schema\n\
             include /etc/ldap/schema/cosine.schema\n\
             include /etc/ldap/schema/inetorgperson.schema\n\
             modulepath /usr/lib/ldap\n\
             moduleload back_mdb\n\
             pidfile {d}/slapd.pid\n\
             database mdb\n\
             suffix \"{SUFFIX}\"\n\
             rootdn \"{ROOT_DN}\"\n\
             rootpw {ROOT_PASSWORD}\n\
             directory {d}/db\n\
             access to attrs=userPassword by anonymous auth by self write by * none\n\
             access to * by dn.exact=\"{SERVICE_DN}\" read by * none\n"
        );
        std::fs::write(dir.join("slapd.conf"), conf).expect("slapd.conf");
        let mut ldif = format!(
            "dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Yunling\ndc: yunling\n\n\
             dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\n\
             dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services\n\n\
             dn: {SERVICE_DN}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: anbao\n\
             userPassword: {SERVICE_PASSWORD}\n\n"
        );
        for p in people {
            ldif.push_str(&format!(
                "dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\n\
                 employeeNumber: {no}\nuserPassword: {pw}\n\n",
                uid = p.uid,
                no = p.staff_no,
                pw = p.password
            ));
        }
        std::fs::write(dir.join("people.ldif"), ldif).expect("ldif");
        let slapadd = slapd.with_file_name("slapadd");
        let loaded = Command::new(&slapadd)
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .arg("-l")
            .arg(dir.join("people.ldif"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("run slapadd");
        assert!(loaded.status.success(), "slapadd: {}", String::from_utf8_lossy(&loaded.stderr));
        let url = url_at(port);
        // `-d 0` keeps slapd in the foreground, so the child is the server and dropping it stops it.
        let child = Command::new(&slapd)
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .arg("-h")
            .arg(&url)
            .arg("-d")
            .arg("0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start slapd");
        let server = Slapd { url, dir, child };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "slapd did not start listening on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

fn url_at(port: u16) -> String {
    format!("ldap://127.0.0.1:{port}/")
}

/// Anbao's configuration for a server on `port` (started or not).
pub fn config_at(port: u16) -> anbao_app::directory::Directory {
    anbao_app::directory::Directory {
        url: url_at(port),
        starttls: false,
        bind_dn: SERVICE_DN.into(),
        bind_password: SERVICE_PASSWORD.into(),
        search_base: format!("ou=people,{SUFFIX}"),
        user_attribute: "uid".into(),
        staff_no_attribute: "employeeNumber".into(),
        timeout: Duration::from_secs(5),
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
