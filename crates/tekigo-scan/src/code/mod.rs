//! Rules that cannot be data: each is named from a check file by `kind: code`.

mod accounts;
mod files;
mod logins;
mod system;

use crate::ctx::{Ctx, Eval};

type RuleFn = fn(&Ctx) -> Eval;

/// Every code rule by name.
const RULES: &[(&str, RuleFn)] = &[
    ("accounts_empty_password", accounts::empty_password),
    ("accounts_uid0", accounts::uid0),
    ("accounts_unique", accounts::unique),
    (
        "accounts_default_credentials",
        accounts::default_credentials,
    ),
    ("accounts_hash_scheme", accounts::hash_scheme),
    ("login_issue_secrets", accounts::issue_secrets),
    ("accounts_vendor_accounts", accounts::vendor_accounts),
    ("accounts_forced_change", accounts::forced_change),
    ("accounts_system_shells", accounts::system_shells),
    ("pam_faillock_settings", logins::faillock_settings),
    ("pam_password_quality", logins::password_quality),
    ("pam_password_quality_root", logins::password_quality_root),
    ("pam_mfa", logins::mfa),
    ("ssh_client_alive", logins::ssh_client_alive),
    ("ssh_banner", logins::ssh_banner),
    ("ssh_host_keys_in_image", logins::ssh_host_keys_in_image),
    ("dropbear_blank_password", logins::dropbear_blank_password),
    ("dropbear_idle_timeout", logins::dropbear_idle_timeout),
    ("dropbear_root_login", logins::dropbear_root_login),
    ("serial_autologin", logins::serial_autologin),
    ("cleartext_services", logins::cleartext_services),
    ("fs_world_writable", files::world_writable),
    ("fs_world_writable_dirs", files::world_writable_dirs),
    ("fs_setid", files::setid),
    ("fs_unowned", files::unowned),
    ("keys_private_permissions", files::private_key_permissions),
    ("keys_known_test_keys", files::known_test_keys),
    ("certs_weak", files::weak_certificates),
    ("time_sync", system::time_sync),
    ("time_authenticated", system::time_authenticated),
    ("firewall_default_drop", system::firewall_default_drop),
    ("machine_id_in_image", system::machine_id_in_image),
    ("secure_boot", system::secure_boot),
    ("package_inventory", system::package_inventory),
    ("eol_crypto_libraries", system::eol_crypto_libraries),
    ("swap_encrypted", system::swap_encrypted),
    ("audit_daemon_enabled", system::audit_daemon_enabled),
    ("watchdog", system::watchdog),
];

pub fn exists(name: &str) -> bool {
    RULES.iter().any(|(n, _)| *n == name)
}

pub fn run(ctx: &Ctx, name: &str) -> Eval {
    let (_, f) = RULES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("code rule names are checked when the definitions load");
    f(ctx)
}
