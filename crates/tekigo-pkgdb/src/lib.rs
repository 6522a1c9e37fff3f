//! The package inventory of a device's root filesystem, and its CycloneDX SBOM.
//!
//! IEC 62443-4-2 CR 7.8 asks for an inventory of a component's software, and the
//! vulnerability manager needs exact names and versions to match advisories against. The
//! package manager's own database is the only source that knows both, so tekigo reads it
//! instead of guessing from file names:
//!
//! | manager | database read | typical systems |
//! |---|---|---|
//! | dpkg | `/var/lib/dpkg/status`, `/var/lib/dpkg/status.d/*` | Debian, Ubuntu, distroless images |
//! | opkg | `/usr/lib/opkg/status`, `/var/lib/opkg/status` (+ `info/*.control`) | OpenWrt, Yocto |
//! | apk | `/lib/apk/db/installed` | Alpine, postmarketOS |
//! | rpm | `/var/lib/rpm/rpmdb.sqlite` | Fedora 33+, RHEL 9+, Rocky, Alma |
//!
//! Every read goes through a [`tekigo_rootfs::Root`], so a hostile image cannot lead the
//! reader outside itself, make it open a device, or make it read without bound; nothing
//! from the image is executed (the rpm database is parsed in memory, not handed to `rpm`).
//!
//! # Use
//!
//! ```no_run
//! use tekigo_pkgdb::{cyclonedx, Inventory};
//! use tekigo_rootfs::Root;
//!
//! let root = Root::open("/srv/images/gateway-rootfs")?;
//! let inventory = Inventory::read(&root);
//! for problem in &inventory.problems {
//!     eprintln!("warning: {problem}");
//! }
//! cyclonedx::write_file(&inventory, &cyclonedx::BomOptions::now(), "gateway.cdx.json".as_ref())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Damaged databases
//!
//! Reading never fails as a whole and never panics: a record that cannot be understood
//! becomes a [`Problem`] naming the file and line (or rpm header number), and the records
//! around it are still read. A scan therefore reports "these 412 packages, and record 37 of
//! `/var/lib/dpkg/status` could not be read" instead of silently listing fewer packages.
//!
//! # Limits
//!
//! - Only the SQLite rpm database is read. The Berkeley DB (`Packages`, RHEL 8 and older)
//!   and NDB (`Packages.db`, SUSE) formats are reported as [`ProblemKind::Unsupported`].
//! - Changes still in the rpm database's write-ahead log (`rpmdb.sqlite-wal`) are not
//!   applied; a non-empty log is reported as [`ProblemKind::Incomplete`].
//! - dpkg databases carry no licence; it is taken from the package's machine-readable
//!   `/usr/share/doc/PACKAGE/copyright` when there is one, and is otherwise unknown.

mod apk;
mod control;
pub mod cyclonedx;
mod dpkg;
mod inventory;
pub mod kernel;
mod opkg;
mod os_release;
pub mod parse;
mod purl;
mod rpm;

pub use inventory::{Database, DbFormat, Ecosystem, Inventory, Package, Problem, ProblemKind};
pub use os_release::OsRelease;
