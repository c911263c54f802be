# Build: install everything, compile src/ and db/ into dist/, then drop the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# @scarf/scarf is an install-time analytics ping; keep the build quiet and offline-friendly.
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
# argon2 ships prebuilt binaries in its npm package, so no compiler toolchain is needed.
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime: only the compiled code, the production dependencies and package.json, owned by root
# so the `node` user can read but not modify them.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# Healthy = ready to serve: database reachable and every shipped migration applied.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/api/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrate, seed (idempotent), then exec so SIGTERM reaches node directly.
CMD ["sh", "-c", "node dist/db/cli.js up && node dist/db/cli.js seed && exec node dist/src/main.js"]
