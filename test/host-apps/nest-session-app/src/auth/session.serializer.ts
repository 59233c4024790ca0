import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import { UsersService } from '../users/users.service.js';

@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(private usersService: UsersService) {
    super();
  }

  serializeUser(user: any, done: (err: Error | null, username: string) => void): void {
    done(null, user.username);
  }

  async deserializeUser(username: string, done: (err: Error | null, user: unknown) => void): Promise<void> {
    const user = await this.usersService.findOne(username);
    done(null, user ? { userId: user.userId, username: user.username } : null);
  }
}
