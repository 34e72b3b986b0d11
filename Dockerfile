# mailhelp: one app instance. Build: docker build -t mailhelp .   Run: see compose.yaml and the README.
# Build stage: the native SQLite driver compiles here, and the server is bundled (npm run build).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime: the bundle, its packages, views and locales; no compiler, no dev dependencies, not root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DB_PATH=/data/mailhelp.db
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/views ./views
COPY --from=build /app/locales ./locales
COPY --from=build /app/flows ./flows
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# The same flags as npm start.
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=8", "dist/main.mjs"]
