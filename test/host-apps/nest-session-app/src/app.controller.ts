import { Controller, Get, Post, Request, UseGuards } from '@nestjs/common';
import { AppService } from './app.service.js';
import { AuthenticatedGuard } from './auth/authenticated.guard.js';
import { LocalAuthGuard } from './auth/local-auth.guard.js';

@Controller()
export class AppController {
  constructor(private readonly appService: AppService) {}

  @Get()
  getHello(): string {
    return this.appService.getHello();
  }

  @UseGuards(LocalAuthGuard)
  @Post('auth/login')
  login(@Request() req) {
    return { msg: 'Logged in', user: req.user };
  }

  @Post('auth/logout')
  logout(@Request() req) {
    return new Promise((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve({ msg: 'Logged out' }))));
  }

  @UseGuards(AuthenticatedGuard)
  @Get('profile')
  getProfile(@Request() req) {
    return req.user;
  }
}
