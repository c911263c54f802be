/**
 * SQL that renames every row whose `column` an older row already has, ignoring case, to a free
 * `<value>-<id>` (`<value>-<id>-2`, … if taken), so a case-insensitive unique index can be built
 * without dropping anyone's data. For migrations only.
 */
export function renameLaterDuplicates(table: string, column: string): string {
  return `
    DO $$
    DECLARE
      duplicate record;
      candidate text;
      attempt int;
    BEGIN
      FOR duplicate IN
        SELECT t.id, t."${column}" AS value FROM "${table}" t
        WHERE EXISTS (SELECT 1 FROM "${table}" o
                      WHERE lower(o."${column}") = lower(t."${column}") AND o.id < t.id)
        ORDER BY t.id
      LOOP
        candidate := duplicate.value || '-' || duplicate.id;
        attempt := 1;
        WHILE EXISTS (SELECT 1 FROM "${table}" WHERE lower("${column}") = lower(candidate)) LOOP
          attempt := attempt + 1;
          candidate := duplicate.value || '-' || duplicate.id || '-' || attempt;
        END LOOP;
        UPDATE "${table}" SET "${column}" = candidate WHERE id = duplicate.id;
      END LOOP;
    END $$`;
}
