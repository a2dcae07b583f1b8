//! Versioned schema migrations for the embedded store. Each migration runs once, in its own
//! transaction, and only adds (tables, columns, indexes): no migration deletes or rewrites rows.

use rusqlite::Connection;

use super::backend;
use crate::store::StoreResult;

/// Every migration, in order; the version is the position + 1.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_refresh_tokens.sql"),
    include_str!("migrations/0003_points_totals_index.sql"),
    include_str!("migrations/0004_store_api.sql"),
    include_str!("migrations/0005_hardening.sql"),
    include_str!("migrations/0006_rewards.sql"),
    include_str!("migrations/0007_replicas.sql"),
    include_str!("migrations/0008_lineage.sql"),
    include_str!("migrations/0009_campaigns.sql"),
    include_str!("migrations/0010_batch_rows.sql"),
];

/// The newest schema version this build knows.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Applies the migrations not yet recorded in `schema_migrations`.
pub fn apply(conn: &mut Connection) -> StoreResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .map_err(backend)?;
    let current = current_version(conn)?;
    if current > LATEST {
        return Err(crate::store::StoreError::Schema(format!(
            "database schema version {current} is newer than this build's {LATEST}; refusing to open"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = i as u32 + 1;
        let tx = conn.transaction().map_err(backend)?;
        tx.execute_batch(sql).map_err(|e| backend(format!("migration {version}: {e}")))?;
        tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, datetime('now'))", [version])
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}

/// The highest applied version (0 for a new file).
pub fn current_version(conn: &Connection) -> StoreResult<u32> {
    conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get::<_, u32>(0))
        .map_err(backend)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::{ColType, Table};

    #[test]
    fn migrated_schema_matches_the_table_definitions() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        for table in Table::ALL {
            let def = table.def();
            let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", def.name)).unwrap();
            let mut cols: Vec<(String, String, bool)> = stmt
                .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? != 0)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            // Columns added after the lineage columns follow them on disk; the store names every
            // column it reads, so only the set and each column's type matter.
            let (lineage, mut rest): (Vec<_>, Vec<_>) =
                cols.drain(..).partition(|(name, _, _)| name == "first_batch" || name == "last_batch");
            rest.extend(lineage);
            cols = rest;
            let mut expected: Vec<(String, String, bool)> = def
                .columns
                .iter()
                .map(|c| {
                    let ty = match c.ty {
                        ColType::Text => "TEXT",
                        ColType::Int | ColType::Bool => "INTEGER",
                    };
                    (c.name.to_string(), ty.to_string(), !c.nullable)
                })
                .collect();
            if table.has_lineage() {
                expected.extend(["first_batch", "last_batch"].map(|c| (c.to_string(), "INTEGER".to_string(), false)));
            }
            assert_eq!(cols, expected, "table {}", def.name);
        }
    }

    #[test]
    fn applying_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        conn.execute("INSERT INTO departments (id, name) VALUES ('01', 'Ortofrutta')", []).unwrap();
        apply(&mut conn).unwrap();
        assert_eq!(current_version(&conn).unwrap(), LATEST);
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM departments", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }
}
