import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations for every table file under schema/tables/
// into schema/migrations/ (committed); the program applies them itself at start.
export default defineConfig({
  dialect: "postgresql",
  schema: "./schema/tables/*.ts",
  out: "./schema/migrations",
  casing: "snake_case",
});
