import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { UsersModule } from '../users/users.module';
import { Role } from './role.model';
import { RoleStore } from './role.store';
import { RolesController } from './roles.controller';
import { RolesService } from './roles.service';

/** Roles and who has them. Owns the Roles table. */
@Module({
  imports: [SequelizeModule.forFeature([Role]), UsersModule],
  controllers: [RolesController],
  providers: [RoleStore, RolesService],
})
export class RolesModule {}
