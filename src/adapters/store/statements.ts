// Prepared SQLite statements cached by their text; column names in dynamic SQL come from fixed maps, never from input.
import type Database from 'better-sqlite3';

/** A cache of prepared statements on one database connection. */
export function statementCache(db: Database.Database): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}
