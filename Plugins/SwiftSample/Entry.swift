import LossKit
