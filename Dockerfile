# Deskmind as a container image: embedded database by default (data in the /data volume),
# or a PostgreSQL server with DATABASE_URL. Build: docker build -t deskmind .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
# `npm ci` builds dist/ (the `prepare` script); then drop the build tools.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DESKMIND_HOST=0.0.0.0 \
    DESKMIND_PORT=3000 \
    DESKMIND_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/assets ./assets
COPY --from=build /app/src/store/migrations ./src/store/migrations
COPY --from=build /app/node_modules ./node_modules
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.DESKMIND_PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/deskmind.js", "serve"]
