// express4 and express5-0 are npm aliases of express@4.16.0 and express@5.0.0, the oldest versions the
// peer range allows; they ship no types, and their API here is the one @types/express describes.
declare module 'express4' {
  import express from 'express';
  export default express;
}
declare module 'express5-0' {
  import express from 'express';
  export default express;
}
