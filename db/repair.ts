/**
 * SQL helpers that repair the original server's rows so a constraint can be added. For migrations
 * only. Every text column they touch is VARCHAR(255), so a suffix never makes a value too long:
 * the value is cut short to make room for it.
 */
const MAX_LENGTH = 255;

/** `value` shortened so that `value || suffix` fits, then suffixed (SQL expression). */
function suffixed(value: string, suffix: string): string {
  return `left(${value}, ${MAX_LENGTH} - length(${suffix})) || ${suffix}`;
}

/**
 * Renames every row whose `column` an older row already has, ignoring case, to a free
 * `<value>-<id>` (`<value>-<id>-2`, … if taken; the value shortened to fit), so a
 * case-insensitive unique index can be built without dropping anyone's data.
 */
export function renameLaterDuplicates(table: string, column: string): string {
  return `
    DO $$
    DECLARE
      duplicate record;
      candidate text;
      suffix text;
      attempt int;
    BEGIN
      FOR duplicate IN
        SELECT t.id, t."${column}" AS value FROM "${table}" t
        WHERE EXISTS (SELECT 1 FROM "${table}" o
                      WHERE lower(o."${column}") = lower(t."${column}") AND o.id < t.id)
        ORDER BY t.id
      LOOP
        suffix := '-' || duplicate.id;
        candidate := ${suffixed('duplicate.value', 'suffix')};
        attempt := 1;
        WHILE EXISTS (SELECT 1 FROM "${table}" WHERE lower("${column}") = lower(candidate)) LOOP
          attempt := attempt + 1;
          suffix := '-' || duplicate.id || '-' || attempt;
          candidate := ${suffixed('duplicate.value', 'suffix')};
        END LOOP;
        UPDATE "${table}" SET "${column}" = candidate WHERE id = duplicate.id;
      END LOOP;
    END $$`;
}

/** How the API stores a licence plate: whitespace runs made one space, trimmed, upper-cased. */
const CANONICAL_PLATE = (plate: string) =>
  `upper(btrim(regexp_replace(${plate}, '\\s+', ' ', 'g')))`;

/**
 * Puts every licence plate in the API's form. Plates that become equal (`kk 1`, `Kk 1`,
 * ` KK  1 `) are told apart as usernames are: the oldest profile keeps the plate, each later one
 * becomes `<PLATE>-<id>` (`-<id>-2`, … if that is some other profile's plate). The targets are
 * chosen first and written in two steps, through a lower-case placeholder no upper-cased plate
 * can equal, because the original unique constraint on the exact plate is checked row by row.
 */
export function normaliseLicencePlates(): string {
  const canonical = CANONICAL_PLATE('"licensePlate"');
  return `
    DO $$
    DECLARE
      profile record;
      candidate text;
      suffix text;
      attempt int;
    BEGIN
      CREATE TEMP TABLE plate_targets (id int PRIMARY KEY, plate text NOT NULL) ON COMMIT DROP;
      FOR profile IN SELECT id, ${canonical} AS plate FROM "DriverProfiles" ORDER BY id LOOP
        candidate := profile.plate;
        attempt := 0;
        WHILE EXISTS (SELECT 1 FROM plate_targets WHERE lower(plate) = lower(candidate))
           OR (attempt > 0 AND EXISTS (SELECT 1 FROM "DriverProfiles"
                 WHERE id > profile.id AND lower(${canonical}) = lower(candidate))) LOOP
          attempt := attempt + 1;
          suffix := '-' || profile.id || CASE WHEN attempt > 1 THEN '-' || attempt ELSE '' END;
          candidate := ${suffixed('profile.plate', 'suffix')};
        END LOOP;
        INSERT INTO plate_targets VALUES (profile.id, candidate);
      END LOOP;
      DELETE FROM plate_targets t USING "DriverProfiles" p
        WHERE p.id = t.id AND p."licensePlate" = t.plate;
      UPDATE "DriverProfiles" p SET "licensePlate" = 'plate-being-renamed-' || p.id
        FROM plate_targets t WHERE t.id = p.id;
      UPDATE "DriverProfiles" p SET "licensePlate" = t.plate FROM plate_targets t WHERE t.id = p.id;
    END $$`;
}

/** The largest amount DECIMAL(10,2) holds. */
export const MAX_MONEY = '99999999.99';

/**
 * Makes an amount of the original server's unbounded DECIMAL fit DECIMAL(10,2) and "≥ 0": below
 * zero (after rounding to the cent) becomes 0, beyond the largest amount becomes that amount, and
 * NaN becomes NULL (unknown). Run before the column's type changes.
 */
export function fitMoney(table: string, column: string): string {
  const cents = `round("${column}", 2)`;
  return `UPDATE "${table}" SET "${column}" = CASE
      WHEN "${column}" = 'NaN' THEN NULL WHEN ${cents} < 0 THEN 0 ELSE ${MAX_MONEY} END
    WHERE "${column}" = 'NaN' OR ${cents} < 0 OR ${cents} > ${MAX_MONEY}`;
}
