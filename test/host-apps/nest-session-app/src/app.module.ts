import { Module } from '@nestjs/common';
import { GrantorModule } from '@grantor/nestjs';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { AuthModule } from './auth/auth.module.js';
import { AuthenticatedGuard } from './auth/authenticated.guard.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    AuthModule,
    UsersModule,
    GrantorModule.forRoot<{ userId: number; username: string }>({
      guards: [AuthenticatedGuard], // your session guard: the token route runs after it
      credentials: {
        accountSid: process.env.TWILIO_ACCOUNT_SID!,
        keys: { sid: process.env.TWILIO_API_KEY_SID!, secret: process.env.TWILIO_API_KEY_SECRET! },
      },
      identity: (user) => user.userId,
      policy: ({ user, params }) => {
        if (user.username === 'bob' && params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
        return { grants: { video: { room: params.room as string } } };
      },
    }),
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
