//! The value-object parsers: no input may panic, and what a parser accepts is in its
//! canonical form (parsing it again gives the same value), so stored values read back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenantry_domain::files::{FileAccess, FileName, FolderName};
use tenantry_domain::identity::{DisplayName, Password};
use tenantry_domain::projects::{Currency, ProjectName, ProjectRole, ProjectStatus, TaskStatus, TaskTitle};
use tenantry_domain::tenancy::{ApiKeyName, OrganizationName, Slug};
use tenantry_kernel::EmailAddress;

macro_rules! canonical {
    ($input:expr, $parse:path) => {
        if let Ok(value) = $parse($input) {
            let again = $parse(value.as_str()).expect("a parsed value parses again");
            assert_eq!(again.as_str(), value.as_str(), "parsing is idempotent");
        }
    };
}

fuzz_target!(|input: &str| {
    canonical!(input, EmailAddress::parse);
    canonical!(input, DisplayName::parse);
    canonical!(input, OrganizationName::parse);
    canonical!(input, Slug::parse);
    canonical!(input, ApiKeyName::parse);
    canonical!(input, ProjectName::parse);
    canonical!(input, TaskTitle::parse);
    canonical!(input, Currency::parse);
    canonical!(input, FolderName::parse);
    canonical!(input, FileName::sanitize);
    canonical!(input, TaskStatus::parse);
    canonical!(input, ProjectStatus::parse);
    canonical!(input, ProjectRole::parse);
    canonical!(input, FileAccess::parse);
    let _ = Password::parse(input);
});
