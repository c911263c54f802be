import { Role } from '../roles/role.model';
import { User } from '../users/user.model';

/** Every model the application registers. The schema test checks each against the migrated tables. */
export const MODELS = [Role, User];
