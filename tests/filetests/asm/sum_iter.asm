# sum_iter (array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %rax
  movq 8(%rdi), %r10
  movq 0x10(%rdi), %r8
  movq 0x18(%rdi), %r9
  jmp     label1
block1:
  movl 8(%rdx), %r11d
  cmpl %r11d, %ecx
  jnbe    label8; j label2
block2:
  uninit  %rax
  xorq %rax, %rax
  uninit  %rcx
  xorl %ecx, %ecx
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  movq 0x10(%rdi), %rdx
  movq (%rdi), %rdi
  jmp     label3
block3:
  cmpq %rdx, %rax
  jnl     label6; j label4
block4:
  vmovsd (%rdi, %rax, 8), %xmm1
  jmp     label5
block5:
  leaq 1(%rax), %rax
  movl $0x1, %ecx
  vaddsd %xmm1, %xmm0, %xmm0
  jmp     label3
block6:
  jmp     label7
block7:
  movb %cl, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block8:
  movq %rax, 0x10(%rdx)
  movq %r10, 0x18(%rdx)
  movq %r8, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
