import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AuthGuard } from '@nestjs/passport';
import { GrantorModule } from '@grantor/nestjs';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { AuthModule } from './auth/auth.module.js';
import { UsersModule } from './users/users.module.js';

// What the Passport recipe's JwtStrategy.validate() returns: req.user.
interface User {
  userId: number;
  username: string;
}

@Module({
  imports: [
    ConfigModule.forRoot(),
    AuthModule,
    UsersModule,
    GrantorModule.forRootAsync<User>({
      imports: [ConfigModule],
      inject: [ConfigService],
      guards: [AuthGuard('jwt')], // the token route runs after them, with req.user set
      useFactory: (config: ConfigService) => ({
        credentials: {
          accountSid: config.getOrThrow('TWILIO_ACCOUNT_SID'),
          keys: { sid: config.getOrThrow('TWILIO_API_KEY_SID'), secret: config.getOrThrow('TWILIO_API_KEY_SECRET') },
        },
        identity: (user) => user.userId, // the recipe's user has userId, not id
        policy: ({ user, params }) => {
          if (user.username === 'bob' && params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
          return { grants: { video: { room: params.room as string } } };
        },
      }),
    }),
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
