// The baseline for `npm run bench`: a bare Express 5 route, measured in the same run as the app (plain JS, so it
// runs on plain node exactly as the bundled app does).
import express from 'express';

const app = express();
app.get('/', (_req, res) => {
  res.send('ok');
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : ''}`);
});
