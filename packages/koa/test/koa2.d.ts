// koa2 is an npm alias of koa@2, which ships no types; its API here is the one @types/koa describes.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
