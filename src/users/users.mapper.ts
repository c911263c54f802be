import type { UserDto } from './dto/user.dto';
import type { UserWithRole } from './user.store';

/** The only way a user leaves the service: listed fields, so a hash can never slip through. */
export function toUserDto(user: UserWithRole): UserDto {
  return {
    id: user.id,
    username: user.username,
    roleId: user.roleId,
    role: { id: user.role.id, name: user.role.name },
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
