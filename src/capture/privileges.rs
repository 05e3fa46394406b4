//! Privileges dropped once the capture is open. Opening a packet socket needs root or
//! CAP_NET_RAW and CAP_NET_ADMIN; reading hostile packets from it needs neither. So, once the
//! interface (and the `-w` file) is open and before the first packet is parsed, synack
//! becomes an unprivileged user (`-Z USER` as tcpdump; `nobody` by default when started as
//! root; `-Z root` keeps root) and clears every capability, also those a binary was given
//! with setcap; `no_new_privs` then stops any later exec from gaining them back.

use std::ffi::CString;

/// What became of the process's privileges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dropped {
    /// Now running as this user, with no capability.
    To { user: String, uid: u32, gid: u32 },
    /// Started unprivileged: capabilities (from setcap) cleared.
    CapabilitiesOnly,
    /// `-Z root`: kept.
    KeptRoot,
}

const CAP_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

fn os_error(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

/// Clears the effective, permitted, inheritable and ambient capability sets, and sets
/// no_new_privs.
fn clear_capabilities() -> Result<(), String> {
    let header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let data = [CapData::default(); 2];
    // SAFETY: capset reads one header and two data structs of the layout the kernel's
    // _LINUX_CAPABILITY_VERSION_3 defines; both live for the call.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &header, data.as_ptr()) };
    if rc != 0 {
        return Err(os_error("cannot clear capabilities"));
    }
    // SAFETY: prctl with integer arguments only.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        );
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(os_error("cannot set no_new_privs"));
        }
    }
    Ok(())
}

/// `name`'s uid and primary gid.
fn lookup(name: &str) -> Result<(u32, u32), String> {
    let c = CString::new(name).map_err(|_| format!("-Z: no user named {name:?}"))?;
    // SAFETY: getpwnam returns a pointer to static storage or null; read at once, on this
    // thread, before any other passwd call.
    let pw = unsafe { libc::getpwnam(c.as_ptr()) };
    if pw.is_null() {
        return Err(format!(
            "-Z: no user named {} (synack drops root to it once the capture is open)",
            crate::escape::escape(name)
        ));
    }
    // SAFETY: non-null, as just checked.
    Ok(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}

/// Drops privileges as the module documentation says. `user` is `-Z`'s value.
pub fn drop_privileges(user: Option<&str>) -> Result<Dropped, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        clear_capabilities()?;
        return Ok(Dropped::CapabilitiesOnly);
    }
    let name = user.unwrap_or("nobody");
    if name == "root" {
        return Ok(Dropped::KeptRoot);
    }
    let (uid, gid) = lookup(name)?;
    // SAFETY: plain system calls on integers; the group list is one valid gid.
    unsafe {
        if libc::setgroups(1, &gid) != 0 {
            return Err(os_error("cannot drop supplementary groups"));
        }
        if libc::setresgid(gid, gid, gid) != 0 {
            return Err(os_error(&format!("cannot switch to group {gid}")));
        }
        if libc::setresuid(uid, uid, uid) != 0 {
            return Err(os_error(&format!("cannot switch to user {name}")));
        }
        // Root must be gone for good: getting it back has to fail.
        if uid != 0 && libc::setuid(0) == 0 {
            return Err("dropped root but could get it back; stopping".into());
        }
    }
    clear_capabilities()?;
    Ok(Dropped::To {
        user: name.to_string(),
        uid,
        gid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_user_is_a_clear_error() {
        let e = lookup("no-such-user-\x1b[31m").unwrap_err();
        assert!(
            e.starts_with("-Z: no user named no-such-user-\\x1b[31m"),
            "{e}"
        );
    }

    #[test]
    fn nobody_and_root_are_found() {
        assert_eq!(lookup("root"), Ok((0, 0)));
        assert!(lookup("nobody").is_ok());
    }
}
