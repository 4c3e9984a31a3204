"""The words of a generated year: service areas, reasons, lessons learnt, compliments.

Lessons paraphrase the kinds of lesson in the reference report's section 13 table;
compliments are short and generic like its appendix 3. No names of real people.
"""

from __future__ import annotations

# Service area -> weight (statutory: children in care and child protection most often).
STATUTORY_AREAS = (
    ("Children in care", 24), ("Child protection", 14), ("Children with disabilities", 10),
    ("Early help", 8), ("Fostering", 10), ("Adoption", 4), ("Leaving care", 12),
    ("MASH / front door", 9), ("Family support", 9),
)
# The corporate procedure takes child protection, assessments of would-be carers and
# court reports (the reference's appendix 1).
CORPORATE_AREAS = (
    ("Child protection", 30), ("MASH / front door", 18), ("Fostering", 10), ("Adoption", 5),
    ("Family support", 15), ("Early help", 12), ("Children with disabilities", 10),
)
# Reason -> weight: communication and service failure most common (the report's section 8).
REASONS = (
    ("communication", 40), ("service_failure", 34), ("staff_attitude", 14), ("placement", 7),
    ("wrong_information", 5),
)
CORPORATE_COMPLAINANTS = (("parent", 70), ("professional", 10), ("foster_carer", 10), ("family_member", 10))
CHANNELS = (("online_form", 45), ("email", 35), ("phone", 15), ("letter", 5))
# Why a stage 1 response was late (codes of council/late-reasons.yaml) -> weight: the
# reference's section 11 names capacity, officers leaving, officers not responding.
LATE_REASONS = (
    ("staff_capacity", 35), ("officer_left_or_changed", 20), ("officer_not_responding", 15),
    ("complexity", 15), ("waiting_for_information", 10), ("complainant_not_available", 5),
)
# Of the late stage 1 responses, how many say why (the rest: "not recorded").
LATE_REASON_GIVEN = 0.8
# Stage 2 investigating officers' recommendations, in the manner of the reference's section 13.
RECOMMENDATIONS = (
    "Write to the family within five working days of every meeting about their child.",
    "Offer an interpreter at every meeting where English is not the family's first language.",
    "Add the complaint reference to the child's case file.",
    "Send reports to parents at least five days before a child protection conference.",
    "Agree with the transport provider who tells parents the pick-up times.",
    "Tell parents in writing before an allowance is stopped, and why.",
    "Review the training for staff on recording decisions and the reasons for them.",
    "Return the family's calls within one working day.",
)
# Of the stage 2 responses, how many come with recommendations.
RECOMMENDATIONS_GIVEN = 0.4

LESSONS = (
    "MASH managers to run training on the difference between health anxieties, perplexing "
    "presentations and fabricated or induced illness, so referrals of this kind are discussed with confidence.",
    "Managers reminded not to use a risk heading in referral documents without clear evidence for it.",
    "Reminder to the whole team to warn parents in good time before an allowance is stopped.",
    "The screening was thorough and fact based; the practice is shared with the team as a good example.",
    "Support requested from business support to process payments so invoices are not left waiting.",
    "Clearer expectations agreed between the transport team and providers on who contacts parents about pick-up times.",
    "Parents of children with a plan to be sent a separate letter explaining the school admissions process.",
    "Conferences may be cancelled for a legitimate reason in exceptional cases; chairs to be flexible.",
    "Social work reports to reach parents five working days before a conference, as the procedure requires.",
    "Restorative training for conference chairs: no sarcastic or judgemental remarks in meetings.",
    "Professional non-attendance at core meetings escalated to the head of service.",
    "Informal support plan for the worker: respectful practice, accurate recording and consent gained.",
    "Referral forms to be approved by a team manager and discussed with parents before they are sent.",
    "Families to be introduced to a new social worker when a case changes hands, with a proper handover.",
    "The complaint reference to be added to the child's case file so professionals can ask for the complaint.",
    "Interpreters to be booked consistently where English is not the family's first language.",
    "Papers to reach families in good time before meetings, explained in a way that makes sense to them.",
)

COMPLIMENT_TEAMS = (
    ("Children in care", 8), ("Child protection", 6), ("Children with disabilities", 4), ("Early help", 6),
    ("Fostering", 4), ("Leaving care", 5), ("Conference chairs", 4), ("MASH / front door", 2),
    ("Family support", 3), ("Adoption", 2),
)
COMPLIMENTS = (
    "Thank you for sorting everything out and for listening to all of my thoughts.",
    "Communication was excellent throughout and the meeting was explained clearly to the family.",
    "A really good piece of work with the two children discussed at the inspection feedback.",
    "The support and advice during a difficult time have helped us move forward.",
    "My trust in the service has been restored after working with our social worker.",
    "Everyone at the review spoke about how much progress the plan has made.",
    "Always there to listen and help; a credit to the service.",
    "The best social worker I could have had; we are sad to see them go.",
    "Thank you for meeting us and doing your best to solve the problem so quickly.",
    "You never gave up on me, and I wanted to say thank you for everything.",
    "They make things happen for the young person; good practice worth highlighting.",
    "The conference chair calmed a difficult meeting and everyone was heard.",
    "Honest and transparent with parents, which is what they need.",
    "An excellent assessment, and I am saying so in my report.",
    "A pleasure to work with; a dedicated and passionate social worker.",
    "The speedy and professional response made all the difference to our placement.",
    "Thank you for chairing a really productive meeting; we felt well supported.",
    "Thank you for putting me at ease and making sure I was heard.",
    "The work with our family has changed things for the better.",
    "Thank you for all your help and hard work; it has changed our child's life.",
)
