/** The fields a PATCH body actually carries (DTO instances hold every declared field, unset ones as undefined). */
export function definedFields<T extends object>(dto: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(dto).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
