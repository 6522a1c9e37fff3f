//! "Which requirements apply to us?": the requirements of a standard that bind a component
//! type at a target security-level vector.

use crate::model::{ComponentType, Item, LevelScheme, SlVector};
use crate::{Catalog, Standard};

/// What the checklist is asked for.
#[derive(Debug, Clone)]
pub struct ChecklistQuery {
    pub standard: String,
    /// Required by 4-2, refused by standards without component types.
    pub component_type: Option<ComponentType>,
    /// Required by standards measured in security levels.
    pub target: Option<SlVector>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    #[error("unknown standard {0:?}: use 62443-4-2, 62443-3-3, 62443-4-1, 62443-2-1 or 62443-3-2")]
    UnknownStandard(String),
    #[error("{0} needs a component type (--type embedded|network|host|software)")]
    NeedsType(String),
    #[error("{0} has no component types; leave out --type")]
    NoTypes(String),
    #[error("{0} needs a target security level (--sl-t N or seven levels in FR order)")]
    NeedsTarget(String),
    #[error("{0} is not measured in security levels; leave out --sl-t")]
    NoLevels(String),
}

impl Catalog {
    /// The items that apply, in catalog order (which is FR order for 4-2 and 3-3).
    ///
    /// For 4-2 and 3-3 an item applies when it carries a requirement, binds the component
    /// type (rows of the other three types do not), and its lowest level is at or below the
    /// target of its FR. Headings never appear: a CR that defers to component rows is
    /// represented by those rows. For 4-1, 2-1 and 3-2 every requirement applies.
    pub fn checklist(&self, q: &ChecklistQuery) -> Result<(&Standard, Vec<&Item>), ChecklistError> {
        let std = self
            .standard(&q.standard)
            .ok_or_else(|| ChecklistError::UnknownStandard(q.standard.clone()))?;
        let name = std.info.id.clone();
        let has_types = std.items.iter().any(|i| i.component_type.is_some());
        match (has_types, q.component_type) {
            (true, None) => return Err(ChecklistError::NeedsType(name)),
            (false, Some(_)) => return Err(ChecklistError::NoTypes(name)),
            _ => {}
        }
        let security = std.info.levels == LevelScheme::Security;
        let items = match (security, q.target) {
            (true, None) => return Err(ChecklistError::NeedsTarget(name)),
            (false, Some(_)) => return Err(ChecklistError::NoLevels(name)),
            (true, Some(target)) => std
                .items
                .iter()
                .filter(|i| {
                    let ty_ok = q.component_type.is_none_or(|ty| i.binds(ty));
                    match (i.min_sl, i.fr) {
                        (Some(min), Some(fr)) => ty_ok && min <= target.get(fr),
                        _ => false,
                    }
                })
                .collect(),
            (false, None) => std.items.iter().filter(|i| i.is_requirement()).collect(),
        };
        Ok((std, items))
    }
}
