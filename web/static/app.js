// The GOV.UK Frontend's and MOJ Frontend's components. Every page works without this.
import { initAll } from '/static/govuk-frontend.min.js'
initAll()
